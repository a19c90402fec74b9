// Registers expect(element).toBeAccessible() (axe rules, as lwc-recipes does).
import { registerSa11yMatcher } from '@sa11y/jest';

registerSa11yMatcher();

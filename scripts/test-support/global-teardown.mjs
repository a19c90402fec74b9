// Jest globalTeardown (jest.config.cjs): stops what global-setup.mjs started.
import { teardown } from './postgres.mjs';

export default teardown;

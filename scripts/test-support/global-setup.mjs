// Jest globalSetup (jest.config.cjs): the services every test run needs.
import { setup } from './postgres.mjs';

export default setup;

// test support: the local stack's client factories, re-exported for tests
export * from '../../bin/local/aws-clients';

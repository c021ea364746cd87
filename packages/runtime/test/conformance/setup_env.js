// Imported by the bundled suite before any spec file: selects the backend under test.
require('@tensorflow/tfjs-backend-cpu');
const { setTestEnvs } = require('@tensorflow/tfjs-core/dist/jasmine_util');
const backend = process.env.TERRA_CONFORMANCE_BACKEND || 'terra';
setTestEnvs([{ name: backend, backendName: backend, flags: {}, isDataSync: true }]);

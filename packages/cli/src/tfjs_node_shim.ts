/**
 * What `require('@tensorflow/tfjs-node')` (and `-node-gpu`) resolves to under terra: @tensorflow/tfjs, plus
 * tfjs-node's file-system model handlers (`tf.io.fileSystem`, `file://` save and load routes) implemented over
 * fs, in tfjs-node's format (model.json + weights.bin). The rest of tfjs-node's own namespace (`tf.node`:
 * image decoding, TensorBoard, SavedModel) needs libtensorflow and throws a clear error when used.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

type IOHandler = tf.io.IOHandler;
type ModelArtifacts = tf.io.ModelArtifacts;
type ModelJSON = tf.io.ModelJSON;

const FILE_SCHEME = 'file://';
const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

function stripScheme(p: string): string {
  return p.startsWith(FILE_SCHEME) ? p.slice(FILE_SCHEME.length) : p;
}

class NodeFileSystem implements IOHandler {
  private readonly target: string;

  constructor(p: string | string[]) {
    if (Array.isArray(p)) {
      if (p.length !== 1) throw new Error('terra (tfjs-node file system): loading a model from several files is not supported; pass the path of model.json');
      p = p[0];
    }
    this.target = stripScheme(p);
  }

  async save(artifacts: ModelArtifacts): Promise<tf.io.SaveResult> {
    if (artifacts.modelTopology instanceof ArrayBuffer) {
      throw new Error('terra (tfjs-node file system): saving a model with a binary topology (a GraphModel) to file:// is not supported');
    }
    // tfjs-node saves into a directory: <dir>/model.json and <dir>/weights.bin
    const dir = this.target.endsWith(MODEL_JSON) ? path.dirname(this.target) : this.target;
    fs.mkdirSync(dir, { recursive: true });
    const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
    const modelJSON: ModelJSON = {
      modelTopology: artifacts.modelTopology as ModelJSON['modelTopology'],
      weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy,
    };
    if (artifacts.trainingConfig) modelJSON.trainingConfig = artifacts.trainingConfig;
    if (artifacts.signature) modelJSON.signature = artifacts.signature;
    if (artifacts.userDefinedMetadata) modelJSON.userDefinedMetadata = artifacts.userDefinedMetadata;
    if (artifacts.modelInitializer) modelJSON.modelInitializer = artifacts.modelInitializer;
    fs.writeFileSync(path.join(dir, WEIGHTS_BIN), Buffer.from(weights));
    fs.writeFileSync(path.join(dir, MODEL_JSON), JSON.stringify(modelJSON));
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  }

  async load(): Promise<ModelArtifacts> {
    let file = this.target;
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, MODEL_JSON);
    if (!fs.existsSync(file)) throw new Error(`terra (tfjs-node file system): no model at ${file}`);
    let modelJSON: ModelJSON;
    try {
      modelJSON = JSON.parse(fs.readFileSync(file, 'utf8')) as ModelJSON;
    } catch (e) {
      throw new Error(`terra (tfjs-node file system): ${file} is not a model.json: ${(e as Error).message}`);
    }
    const dir = path.dirname(file);
    return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: ArrayBuffer[] = [];
      for (const group of manifest) {
        specs.push(...group.weights);
        for (const p of group.paths) {
          const data = fs.readFileSync(path.join(dir, p));
          buffers.push(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer);
        }
      }
      return [specs, tf.io.concatenateArrayBuffers(buffers)];
    });
  }
}

/** tfjs-node's `tf.io.fileSystem(path)`. */
function fileSystem(p: string | string[]): IOHandler {
  return new NodeFileSystem(p);
}

function fileRouter(url: string | string[]): IOHandler | null {
  const first = Array.isArray(url) ? url[0] : url;
  return typeof first === 'string' && first.startsWith(FILE_SCHEME) ? new NodeFileSystem(url) : null;
}

const ROUTERS_KEY = Symbol.for('terrajs.tfjsNodeRouters');
const g = globalThis as unknown as Record<symbol, boolean>;
if (!g[ROUTERS_KEY]) {
  g[ROUTERS_KEY] = true;
  tf.io.registerSaveRouter(fileRouter as never);
  tf.io.registerLoadRouter(fileRouter as never);
}

/** `tf.node`: tfjs-node's own functions need libtensorflow; under terra they throw a clear error. */
const node = new Proxy({} as Record<string, unknown>, {
  get(_t, name) {
    if (typeof name === 'symbol' || name === 'then') return undefined;
    return () => {
      throw new Error(`terra: tf.node.${name} is part of @tensorflow/tfjs-node's native binding (libtensorflow), which terra replaces; it is not available. Only tf.io.fileSystem and file:// model save/load are provided.`);
    };
  },
});

const io = { ...tf.io, fileSystem };

module.exports = { ...tf, io, node, version: { ...tf.version, 'tfjs-node': 'terra' } };

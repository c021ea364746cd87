import { BackendValues, DataId, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo, engine } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { GraphRunner } from '../../graph_runner/graph_runner';
import type { ValueId } from '../../graph_runner/protocol';
import { currentSite } from '../../hooks';
import { uncounted } from '../../stats';
import type { DraftKernel } from '../../trace/trace';
import type { TerraData } from '../terra_data';
import { Difference, compareValues } from './compare';
import { CheckCounters, CheckMismatch, CheckOptions, ResolvedCheckOptions, resolveCheckOptions } from './options';
import { describeMismatch } from './report';
import { HostTensor, runShadowKernel } from './shadow_kernel';

/** What the shadow needs from co-execution. */
export interface ShadowHost {
  readonly backend: MathBackendCPU;
  readonly eagerFuncs: ReadonlyMap<string, KernelFunc>;
  readonly runner: GraphRunner;
  /** Runs fn as co-execution's own work: its writes are not feeds, its kernels not the program's. */
  quietly<T>(fn: () => T): T;
  /** The 1-based number of the iteration running now. */
  iteration(): number;
}

/** Arrays handed out up to this many elements are copied to tell a write into them (see ShadowCheck.handedOut). */
const MAX_HANDED_OUT = 1 << 20;

/** The eager value of a tensor the iteration produced, and where it came from. */
interface Shadow extends HostTensor {
  readonly kernel: string;
  readonly site: string;
  /** Position of the producing kernel in its iteration. */
  readonly index: number;
  /** Already compared (at a read): values never change, so once is enough. */
  compared: boolean;
}

/**
 * `--check` (docs/check.md): every co-executed iteration is shadowed eagerly. Each kernel whose
 * outputs are lazy (validated, computed later in the GraphRunner), or that takes a shadowed value,
 * is also run at once on the host, the way eager mode runs it, on shadow inputs: the shadow of each
 * input produced in this iteration, the real value of each input from before it. Every value JS reads
 * and, at the iteration's end, every tensor still held that the iteration produced (variables among
 * them) is compared with its shadow. The shadow restarts from the real values at every iteration, so
 * a mismatch points at the iteration, and the kernel, that went wrong.
 */
export class ShadowCheck {
  private readonly shadows = new Map<DataId, Shadow>();
  /** Real values of buffers from before the iteration, read once per iteration. */
  private readonly real = new Map<DataId, BackendValues>();
  private readonly options: ResolvedCheckOptions;
  private readonly counts: CheckCounters = { values: 0, mismatches: 0, kernels: 0, unknown: 0 };
  private runs = 0;
  /**
   * Copies of the arrays reads handed to JS (dataSync returns the tensor's own array) of values the
   * worker keeps too: co-execution goes on with the worker's copy, eager execution with that array, so a
   * write into it by the program is a difference (docs/coexecution.md, limits).
   */
  private readonly handedOut = new Map<DataId, { values: BackendValues; kernel: string; site: string; index: number }>();

  constructor(private readonly host: ShadowHost, options: CheckOptions) {
    this.options = resolveCheckOptions(options);
  }

  counters(): CheckCounters {
    return { ...this.counts };
  }

  /** A kernel the program issued, with what co-execution returned for it (lazy or computed). */
  kernel(draft: DraftKernel, inputs: NamedTensorInfoMap, attrs: NamedAttrMap, out: TensorInfo | TensorInfo[]): void {
    const outputs = Array.isArray(out) ? out : [out];
    const given = (Object.values(inputs) as Array<TensorInfo | TensorInfo[] | null>).flat().filter((t): t is TensorInfo => t != null);
    // A view returns its input's buffer: that buffer's shadow (or real value) stands for it already.
    if (outputs.every((o) => given.some((t) => t.dataId === o.dataId))) return;
    for (const t of given) this.writtenAfterRead(t, draft);
    const lazy = outputs.some((t) => this.entry(t.dataId)?.values == null);
    if (!lazy && !given.some((t) => this.shadows.has(t.dataId))) return; // computed eagerly from real values: its shadow is itself
    let results: HostTensor[] | undefined;
    try {
      results = this.host.quietly(() => uncounted(() => runShadowKernel(draft.kernelName, inputs, attrs, this.host.backend,
        this.host.eagerFuncs, (t) => this.shadows.get(t.dataId)?.values ?? this.realValue(t.dataId))));
    } catch {
      // A kernel that throws on its values (an index out of range) throws for the program where co-execution
      // says it does; the check does not change where.
      results = undefined;
    }
    if (!results) {
      this.counts.unknown++;
      return;
    }
    this.counts.kernels++;
    const site = draft.sitePath.at(-1) ?? '(no instrumented site)';
    outputs.forEach((t, i) => {
      const r = results[i];
      if (r) this.shadows.set(t.dataId, { ...r, kernel: draft.kernelName, site, index: draft.index, compared: false });
    });
  }

  /** JS read this buffer (its value is on the host now). */
  read(dataId: DataId): void {
    const shadow = this.shadows.get(dataId);
    const entry = this.entry(dataId);
    const values = entry?.values;
    if (values != null && entry!.worker !== undefined && !this.handedOut.has(dataId) && values.length <= MAX_HANDED_OUT) {
      this.handedOut.set(dataId, {
        values: (values as Float32Array).slice(), kernel: shadow?.kernel ?? '', site: shadow?.site ?? '', index: shadow?.index ?? -1,
      });
    }
    if (!shadow || shadow.compared || values == null) return;
    shadow.compared = true;
    this.compare(values, shadow, `the value read at ${currentSite() ?? '(no instrumented site)'}`);
  }

  /**
   * A kernel takes a value whose array a read handed to JS: if the program wrote into it since, eager
   * execution computes with what it wrote, co-execution with the worker's copy. Reported as a mismatch;
   * the shadow goes on as eager execution does.
   */
  private writtenAfterRead({ dataId, shape }: TensorInfo, draft: DraftKernel): void {
    const given = this.handedOut.get(dataId);
    if (!given) return;
    const entry = this.entry(dataId)!;
    const now = entry.values;
    if (now == null || now.length !== given.values.length) return;
    const diff = compareValues(given.values, now, entry.dtype, { rtol: 0, atol: 0 });
    if (!diff) return;
    this.handedOut.delete(dataId);
    this.shadows.delete(dataId);
    const at = draft.sitePath.at(-1) ?? '(no instrumented site)';
    this.report({
      iteration: this.host.iteration(), kernel: given.kernel, site: given.site, index: given.index, dtype: entry.dtype,
      shape: [...shape], ...diff,
      what: `the array a read (dataSync, bufferSync) handed to the program, written by it and then given to ${draft.kernelName} ` +
        `at ${at}: eager execution on the host sees the write, co-execution goes on with the worker's copy (docs/coexecution.md#limits)`,
    });
  }

  /**
   * The iteration ended (its pending work dispatched): every tensor it produced that is still held
   * is compared, the earliest produced mismatch reported; the next iteration starts from real values.
   */
  endIteration(): void {
    const names = new Map<DataId, string>();
    for (const [name, v] of Object.entries(engine().registeredVariables)) names.set(v.dataId, name);
    const found: Array<{ shadow: Shadow; actual: BackendValues; what: string }> = [];
    for (const [dataId, shadow] of this.shadows) {
      if (shadow.compared) continue;
      const actual = this.realValue(dataId);
      if (actual === undefined) continue;
      const name = names.get(dataId);
      found.push({ shadow, actual, what: name ? `variable '${name}' at the end of the iteration` : 'a tensor held at the end of the iteration' });
    }
    this.shadows.clear();
    this.real.clear();
    found.sort((a, b) => a.shadow.index - b.shadow.index);
    for (const f of found) this.compare(f.actual, f.shadow, f.what);
  }

  /** tfjs freed the buffer. */
  released(dataId: DataId): void {
    this.shadows.delete(dataId);
    this.real.delete(dataId);
    this.handedOut.delete(dataId);
  }

  /**
   * TEST-ONLY (docs/check.md): one output of the run chosen by the perturb options is changed in the
   * worker (1 added to its first element), so that tests can see --check catch a wrong segment.
   */
  afterRun(outputIds: readonly ValueId[]): void {
    this.runs++;
    const p = this.options.perturb;
    if (!p || this.runs !== p.run || p.output >= outputIds.length) return;
    const runner = this.host.runner;
    const v = runner.readSync(outputIds[p.output]);
    const data = v.data.slice();
    if (data.length > 0) data[0] = data[0] + 1;
    runner.feed(outputIds[p.output], v.dtype, v.shape, data);
  }

  private compare(actual: BackendValues, shadow: Shadow, what: string): void {
    this.counts.values++;
    const diff = compareValues(actual, shadow.values, shadow.dtype, this.options.tolerance);
    if (!diff) return;
    if (this.counts.first) {
      this.counts.mismatches++;
      return;
    }
    const cause = this.earliestMismatch(shadow.index);
    this.report({
      iteration: this.host.iteration(), what, kernel: shadow.kernel, site: shadow.site, index: shadow.index,
      dtype: shadow.dtype, shape: [...shadow.shape], ...diff,
      ...(cause ? { cause: { kernel: cause.kernel, site: cause.site, index: cause.index, maxAbs: cause.maxAbs, element: cause.element } } : {}),
    });
  }

  /** Counts a mismatch; the first is kept and said on stderr. */
  private report(mismatch: CheckMismatch): void {
    this.counts.mismatches++;
    if (this.counts.first) return;
    this.counts.first = mismatch;
    process.stderr.write(describeMismatch(mismatch, this.options.tolerance));
  }

  /** The earliest produced value of this iteration before kernel `before`, still held, that differs from its shadow. */
  private earliestMismatch(before: number): (Shadow & Difference) | undefined {
    let found: (Shadow & Difference) | undefined;
    for (const [dataId, s] of this.shadows) {
      if (s.index >= (found?.index ?? before)) continue;
      const actual = this.realValue(dataId);
      const diff = actual === undefined ? undefined : compareValues(actual, s.values, s.dtype, this.options.tolerance);
      if (diff) found = { ...s, ...diff };
    }
    return found;
  }

  /** The buffer's real value, from the host or the worker; undefined if it is not computed yet (or lost). */
  private realValue(dataId: DataId): BackendValues | undefined {
    const e = this.entry(dataId);
    if (!e) return undefined;
    if (e.values != null) return e.values;
    if (e.worker === undefined || e.pending || e.stretch) return undefined;
    const known = this.real.get(dataId);
    if (known) return known;
    try {
      const values = this.host.runner.readSync(e.worker).data;
      this.real.set(dataId, values);
      return values;
    } catch {
      return undefined; // a failed run or a dead worker: co-execution recovers it, and says so
    }
  }

  private entry(dataId: DataId): TerraData | undefined {
    const data = this.host.backend.data;
    return data.has(dataId) ? data.get(dataId) as TerraData : undefined;
  }
}

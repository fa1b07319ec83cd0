// Worker thread hosting the WebAssembly ngspice of npm eecircuit-engine 1.8.
//
// Plain JavaScript on purpose: a worker thread does not inherit the tsx loader, and this file
// must run wherever the package runs. It lives in a worker because the engine runs ngspice
// synchronously on its thread: only a separate thread can be stopped when a run exceeds its time
// limit (the parent terminates the worker).
//
// Protocol: parent → { id, deck }; worker → { type: 'ready', startSeconds } once, then
// { type: 'result', id, ok, ... } per run.
import { parentPort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers';

// The engine prints ngspice's stderr with console.error; a library must not print, and the
// messages are returned to the parent instead.
const silent = () => {};
console.error = silent;
console.info = silent;
console.log = silent;
console.warn = silent;

const { Simulation } = await import('eecircuit-engine');
const sim = new Simulation();
const t0 = performance.now();
await sim.start();
parentPort.postMessage({ type: 'ready', startSeconds: (performance.now() - t0) / 1000 });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function runOne(deck) {
  // The engine reads /out.raw after every run, and keeps waiting (never resolving) when the file
  // is missing: remove the previous run's file so that a failed run cannot return stale data.
  try {
    sim.__getSpiceModuleForTests()?.FS?.unlink('/out.raw');
  } catch {
    // no previous file
  }
  sim.setNetList(deck);
  let done = false;
  let result;
  const p = sim.runSim().then((r) => {
    done = true;
    result = r;
  });
  // ngspice runs synchronously inside the engine; once this thread gets control back the run
  // has ended. If the promise is still open but the engine waits for the next trigger again,
  // the run produced no raw file (a failed run).
  for (;;) {
    await sleep(5);
    if (done) break;
    if (sim.continuePromiseResolve) break;
  }
  void p;
  return { done, result };
}

parentPort.on('message', async (msg) => {
  const t = performance.now();
  try {
    const { done, result } = await runOne(msg.deck);
    const info = sim.getInfo();
    const errors = sim.getError();
    const seconds = (performance.now() - t) / 1000;
    if (!done || !result || !Array.isArray(result.data)) {
      parentPort.postMessage({ type: 'result', id: msg.id, ok: false, info, errors, seconds });
      return;
    }
    const complex = result.dataType === 'complex';
    const names = result.data.map((d) => d.name);
    const types = result.data.map((d) => d.type);
    const real = result.data.map((d) => Float64Array.from(d.values, (v) => (complex ? v.real : v)));
    const imag = complex ? result.data.map((d) => Float64Array.from(d.values, (v) => v.img)) : undefined;
    const header = result.header;
    const transfer = [...real, ...(imag ?? [])].map((a) => a.buffer);
    parentPort.postMessage({ type: 'result', id: msg.id, ok: true, header, names, types, real, imag, points: result.numPoints, info, errors, seconds }, transfer);
  } catch (e) {
    parentPort.postMessage({ type: 'result', id: msg.id, ok: false, info: sim.getInfo(), errors: [...sim.getError(), String(e)], seconds: (performance.now() - t) / 1000 });
  }
});

"""Peer of bench/emulator.ts (b): the same full-die network in Brian2 C++ standalone, one thread.

Usage: /usr/bin/python3 bench/brian2/fulldie.py NETWORK.json REPS [spikes]
(`spikes`: also print the first run's spike trains as spikeI / spikeT, for the dt study.)
Reads the network exported by bench/emulator.ts (neuron parameters, the background events as
they arrive at the synapse drivers, the synapses reached by every (bus, label), the recurrent
on-chip routes) and prints one JSON line: the simulation time of each run as Brian2 measures it
(device._last_run_time, compilation excluded), the compile+first-run wall time and spike count.

Differences from plateau, by construction of the peer: the reset is an ideal clamp to V_reset
for the refractory period (plateau: a conductance towards V_reset, tau_reset = 0.1 us), spikes are
not registered on refractory-clock edges, and event times are rounded to the time step.
"""
import json
import resource
import sys
import tempfile
import time

import numpy as np
from brian2 import (NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, Synapses, defaultclock, device,
                    prefs, run, second, set_device, amp, volt, farad, siemens)


def main():
    path, reps = sys.argv[1], int(sys.argv[2])
    with open(path) as f:
        d = json.load(f)
    workdir = tempfile.mkdtemp(prefix='plateau-brian2-')
    set_device('cpp_standalone', directory=workdir, build_on_run=False)
    prefs.devices.cpp_standalone.openmp_threads = 0
    defaultclock.dt = d['dt'] * second
    ns = {
        'C': d['C'] * farad, 'gL': d['gL'] * siemens, 'EL': d['EL'] * volt, 'theta': d['theta'] * volt,
        'Vr': d['Vr'] * volt, 'taus': d['taus'] * second,
    }
    eqs = '''
    dv/dt = (gL*(EL - v) + I)/C : volt (unless refractory)
    dI/dt = -I/taus : amp
    '''
    G = NeuronGroup(d['n'], eqs, threshold='v > theta', reset='v = Vr', refractory=d['tref'] * second,
                    method='exact', namespace=ns)
    G.v = d['EL'] * volt
    P = SpikeGeneratorGroup(d['nSources'], np.array(d['spk_i'], dtype=np.int64), np.array(d['spk_t']) * second)
    S = Synapses(P, G, 'w : amp', on_pre='I_post += w')
    S.connect(i=np.array(d['syn_i'], dtype=np.int64), j=np.array(d['syn_j'], dtype=np.int64))
    S.w = np.array(d['syn_w']) * amp
    if len(d['rec_i']) > 0:
        R = Synapses(G, G, 'w : amp', on_pre='I_post += w', delay=d['delay'] * second)
        R.connect(i=np.array(d['rec_i'], dtype=np.int64), j=np.array(d['rec_j'], dtype=np.int64))
        R.w = np.array(d['rec_w']) * amp
    M = SpikeMonitor(G)
    run(d['duration'] * second)
    t0 = time.perf_counter()
    device.build(directory=workdir, compile=True, run=True, debug=False)
    build_and_run = time.perf_counter() - t0
    runs = [device._last_run_time]
    spikes = int(M.num_spikes)
    trains = {'spikeI': [int(i) for i in M.i[:]], 'spikeT': [float(t) for t in M.t[:] / second]} if len(sys.argv) > 3 and sys.argv[3] == 'spikes' else {}
    # CPU time (user + system) of each later run's whole process (loading the arrays, the run,
    # writing the results), for comparison with plateau's CPU time of the whole emulate() call.
    cpu = []
    for _ in range(reps - 1):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        device.run(directory=workdir, with_output=False, run_args=[])
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime))
        runs.append(device._last_run_time)
    print(json.dumps({'runSeconds': runs, 'processCpuSeconds': cpu, 'compileAndFirstRunSeconds': build_and_run, 'spikes': spikes,
                      'synapses': len(d['syn_i']), 'events': len(d['spk_i']), 'brian2': __import__('brian2').__version__, **trains}))


if __name__ == '__main__':
    main()

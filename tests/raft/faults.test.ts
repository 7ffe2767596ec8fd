/** The tester's faults in a LAB_DEBUG log: in line with the peers' lines, and never in the trace twice. */
import { Trace, type LabContext } from '../harness';
import { formatFault, recordFault } from './faults';

function context(trace: Trace): LabContext {
  return {
    seed: 1,
    trace,
    now: () => 2431,
    print: () => {},
    fail: () => {},
    defer: () => {},
    diagnose: () => {},
    afterEachStep: () => {},
  };
}

describe('faults in the debug output', () => {
  const saved = process.env.LAB_DEBUG;
  let written: string[];
  let spy: jest.SpyInstance;
  beforeEach(() => {
    written = [];
    spy = jest.spyOn(process.stdout, 'write').mockImplementation((text) => {
      written.push(String(text));
      return true;
    });
  });
  afterEach(() => {
    spy.mockRestore();
    if (saved === undefined) delete process.env.LAB_DEBUG;
    else process.env.LAB_DEBUG = saved;
  });

  test('a fault reads like a peer debug line: time, who, topic, what', () => {
    expect(formatFault(2431, { action: 'disconnect', server: 2 })).toBe('   2.431 S2 fault    disconnect');
    expect(formatFault(2431, { action: 'unreliable', on: true })).toBe(
      '   2.431 net fault    unreliable on=true',
    );
    expect(
      formatFault(0, {
        action: 'partition',
        groups: [
          [0, 1, 2],
          [3, 4],
        ],
      }),
    ).toBe('   0.000 net fault    partition groups=[[0,1,2],[3,4]]');
  });

  test.each(['1', 'all', 'fault', 'vote,fault'])('LAB_DEBUG=%s prints faults as they happen', (spec) => {
    process.env.LAB_DEBUG = spec;
    recordFault(context(new Trace(() => 2431)), { action: 'crash', server: 0 });
    expect(written).toEqual(['   2.431 S0 fault    crash\n']);
  });

  test.each([undefined, '0', 'vote', 'all,-fault'])('LAB_DEBUG=%s prints nothing', (spec) => {
    if (spec === undefined) delete process.env.LAB_DEBUG;
    else process.env.LAB_DEBUG = spec;
    recordFault(context(new Trace(() => 2431)), { action: 'crash', server: 0 });
    expect(written).toEqual([]);
  });

  test('the trace is the same whether or not the faults are printed', () => {
    const hashes = ['1', '0'].map((spec) => {
      process.env.LAB_DEBUG = spec;
      const trace = new Trace(() => 2431);
      recordFault(context(trace), { action: 'disconnect', server: 1 });
      return trace.hash();
    });
    expect(hashes[0]).toBe(hashes[1]);
  });
});

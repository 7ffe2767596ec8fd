// The visual counterexample as data and as a page: for an illegal history it must name the longest
// linearizable prefix, the state it ends in, the cut and why each possible next operation fails; the
// page must be self-contained (no network resources, embedded data that cannot close its script
// element early); and drawing must ask for a verbose result instead of failing obscurely.
// The browser-level checks are in tests/tools/browser.tools.ts.
import { checkOperations, kvModel, VisualizationError } from './index';
import { staleReadAnnotations, staleReadHistory } from './fixtures';
import { renderVisualization } from './visualize';
import { buildViewData } from './visualize/view-data';
import { resolveModel } from './models/resolve';

const checked = checkOperations(kvModel, staleReadHistory, { verbose: true });

test('the illegal key gets a cut: the longest prefix, and why each possible next operation fails', () => {
  expect(checked.result).toBe('illegal');
  const view = buildViewData(resolveModel(kvModel), checked.info!, staleReadAnnotations, 't');
  const bad = view.partitions.find((p) => p.verdict === 'illegal')!;
  expect(bad.label).toBe('key "b"');
  expect(bad.linearizations[0].ops.map((id) => bad.ops[id].text)).toEqual([
    'put("b", "x")',
    'append("b", "y")',
    'get("b") -> "xy"',
    'put("b", "z")',
  ]);
  expect(bad.linearizations[0].states).toEqual(['"x"', '"xy"', '"xy"', '"z"']);
  // The stale get (returned at 38) is left out, and nothing can be linearized past its return.
  expect(bad.cut).toMatchObject({ time: 38, stateBefore: '"z"' });
  expect(bad.cut!.candidates.map((c) => [bad.ops[c.id].text, c.why])).toEqual([
    ['get("b") -> "x"', 'not legal in state "z"'],
  ]);
  expect(view.partitions.find((p) => p.label === 'key "a"')!.cut).toBeNull();
});

test('the page is self-contained: inline script and style, no external resources', () => {
  const html = renderVisualization(kvModel, checked.info, { annotations: staleReadAnnotations });
  expect(html).not.toMatch(/<(link|img|iframe)\b|\bsrc=|@import|url\(/i);
  // The data's "</script>" is escaped: exactly the two script elements close.
  expect(html.match(/<\/script>/g)).toHaveLength(2);
});

test('drawing needs the verbose result', () => {
  const quiet = checkOperations(kvModel, staleReadHistory);
  expect(() => renderVisualization(kvModel, quiet.info)).toThrow(VisualizationError);
  expect(() => renderVisualization(kvModel, quiet.info)).toThrow(/verbose: true/);
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeUrlProblem, parseControlPlaneUrls } from './control-plane-urls.js';

function read(value: unknown): { urls: string[]; problems: string[] } {
  const { urls, problems } = parseControlPlaneUrls(value);
  return { urls: urls.map(String), problems: problems.map((problem) => describeUrlProblem('url', problem)) };
}

describe('control-plane URLs: one, a comma-separated list or a list, each an http(s) base', () => {
  it('reads one URL, a comma-separated string and a list alike, as bases ending in a slash', () => {
    assert.deepEqual(read('https://estop.internal:7700'), { urls: ['https://estop.internal:7700/'], problems: [] });
    const two = { urls: ['http://cp-a:7070/', 'http://cp-b:7070/prefix/'], problems: [] };
    assert.deepEqual(read('http://cp-a:7070, http://cp-b:7070/prefix'), two);
    assert.deepEqual(read(['http://cp-a:7070', 'http://cp-b:7070/prefix?x=1#y']), two);
  });

  it('names every entry that is wrong, by its place in the list', () => {
    assert.deepEqual(read(['http://a', 'ftp://b', 'nope', 'http://a/']).problems, [
      'url[1] must use http or https, got ftp:',
      'url[2] must be an absolute http(s) URL, got "nope"',
      'url[3] lists http://a/ again',
    ]);
    assert.deepEqual(read('http://a,').problems, ['url[1] must be an absolute http(s) URL, got ""']);
    assert.deepEqual(read('mailto:x').problems, ['url must use http or https, got mailto:']);
  });

  it('refuses what is not a URL or a list of them', () => {
    for (const value of [[], undefined, null, 7, {}]) {
      assert.deepEqual(read(value), {
        urls: [],
        problems: ['url must be a URL, a comma-separated list of URLs or a non-empty list of them'],
      });
    }
    assert.deepEqual(read([7]).problems, ['url must be an absolute http(s) URL, got 7']);
  });
});

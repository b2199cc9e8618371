// Releases (./api/releases, newest first): markers on the time-series charts where each first served a request, the
// "since last release" quick range, and the name it shows.
var RequestAnalyticsReleases = (function () {
  'use strict';
  const F = RequestAnalyticsFormat;

  /** The charts' markers [{ time, label, title }]; none when the releases could not be read ({ failed }). */
  function markers(releases) {
    if (!Array.isArray(releases)) return [];
    return releases.map((r) => ({
      time: Date.parse(r.firstSeen),
      label: r.release || 'unknown',
      title: `Release ${r.release}: first request ${F.time(r.firstSeen, true)}, ${F.count(r.count)} requests, ${F.percent(r.errorRate)} failed`,
    }));
  }

  /** Names the newest release in view on the quick-range button; the start is read afresh when it is clicked. */
  function showNewest(button, releases) {
    const newest = Array.isArray(releases) ? releases[0] : null;
    button.textContent = newest ? `Since release ${newest.release}` : 'Since last release';
  }

  /**
   * When the newest release first served a request. Read at minute granularity (the last 6 hours) when it is that
   * recent, else from the last 90 days, whose buckets are days. `read(scope)` gets ./api/releases for a scope.
   */
  async function lastReleaseStart(read, state) {
    const scope = { environment: state.environment, instance: state.instance };
    let releases = await read({ ...scope, range: '6h' });
    // A release first seen in the 6 hours' first minute may have started before them.
    if (!releases.length || Date.parse(releases[0].firstSeen) <= Date.now() - 6 * 3600e3 + 60e3) {
      releases = await read({ ...scope, range: '90d' });
    }
    if (!releases.length) throw new Error('no release has served a request in the last 90 days');
    return releases[0].firstSeen;
  }

  return { markers, showNewest, lastReleaseStart };
})();

"""The garbage-collection policy for large audiences: no automatic full collections while many
connections are open, full collections in quiet spells or after a cue instead."""

import asyncio
import gc

from polyphony.trigger.gcpolicy import NEVER, GcPolicy


async def test_full_collections_wait_while_the_audience_is_large() -> None:
    before = gc.get_threshold()
    policy = GcPolicy(large=10, every=0.0, quiet=3600.0, force=3600.0)
    try:
        policy.update(5)
        assert gc.get_threshold() == before and not policy.deferring
        policy.update(10)
        assert policy.deferring and gc.get_threshold() == (before[0], before[1], NEVER)
        policy.after_cue(10)  # not forced yet, and not quiet: nothing scheduled
        assert not policy._scheduled
        policy.force = 0.0
        policy.after_cue(10)  # overdue: collected right after the cue
        assert policy._scheduled
        await asyncio.sleep(0.1)
        assert not policy._scheduled
        policy.quiet = 0.0
        policy.update(10)  # a quiet spell: collected
        assert policy._scheduled
        await asyncio.sleep(0.01)
        policy.update(3)  # the audience left: automatic collections again, and one now
        assert gc.get_threshold() == before and not policy.deferring and policy._scheduled
        await asyncio.sleep(0.01)
    finally:
        policy.stop()
    assert gc.get_threshold() == before

import pytest

from clarity.conversations.models import ListFilters
from clarity.conversations.repository import _plan_query
from clarity.core.clock import Clock, TickBehind, second_of, tick_at
from clarity.core.errors import Conflict
from clarity.core.ids import IdTaken, is_valid_id, new_id, stored_under_fresh_id, tick_of
from clarity.store import keys
from clarity.store.keys import StatusIndex


def test_ids_sort_by_creation_second() -> None:
    earlier, later = new_id(tick_at(1_700_000_000)), new_id(tick_at(1_700_000_001))

    assert is_valid_id(earlier)
    assert is_valid_id(later)
    assert earlier < later


def test_ids_sort_by_millisecond_within_a_second_and_keep_it() -> None:
    ticks = [tick_at(1_700_000_000 + millisecond / 1000) for millisecond in (0, 1, 250, 999)]
    ids = [new_id(tick) for tick in ticks]

    assert ids == sorted(ids)
    assert [tick_of(made) for made in ids] == ticks
    assert {second_of(tick) for tick in ticks} == {1_700_000_000}


def test_ids_of_one_tick_differ() -> None:
    assert len({new_id(tick_at(1_700_000_000)) for _ in range(1000)}) == 1000


def test_ids_made_before_ticks_still_sort_by_second_among_new_ones() -> None:
    # An id of the old format: six characters of second, then ten random ones.
    old = new_id(tick_at(1_700_000_000))[:6] + "zzzzzzzzzz"

    assert new_id(tick_at(1_699_999_999.999)) < old < new_id(tick_at(1_700_000_001))


def test_a_frozen_clock_still_gives_ever_later_ticks_within_its_second() -> None:
    clock = Clock(lambda: 1_700_000_000.5)

    ticks = [clock.next_tick() for _ in range(3000)]

    assert ticks == sorted(set(ticks))
    assert {second_of(tick) for tick in ticks} == {1_700_000_000}


def test_a_clock_stepping_back_never_gives_an_earlier_tick() -> None:
    moments = iter([1_700_000_010.0, 1_700_000_000.0, 1_700_000_020.0])
    clock = Clock(lambda: next(moments))

    first, stepped_back, moved_on = clock.next_tick(), clock.next_tick(), clock.next_tick()

    assert first < stepped_back < moved_on
    assert second_of(stepped_back) == 1_700_000_010
    assert moved_on == tick_at(1_700_000_020)


def test_a_tick_asked_for_after_a_stored_one_comes_after_it() -> None:
    clock = Clock(lambda: 1_700_000_000.0)
    stored = tick_at(1_700_000_005.123)

    assert clock.next_tick(after=stored) == stored + 1
    assert clock.next_tick() == stored + 2


def test_a_taken_id_is_drawn_again_and_a_later_tick_taken_after_a_newer_one() -> None:
    clock = Clock(lambda: 1_700_000_000.0)
    newer = tick_at(1_700_000_003)
    outcomes: list[Exception | None] = [IdTaken("x"), TickBehind(newer), None]
    tried: list[str] = []

    def store(resource_id: str, created_at: int) -> tuple[str, int]:
        tried.append(resource_id)
        outcome = outcomes.pop(0)
        if outcome is not None:
            raise outcome
        return resource_id, created_at

    stored_id, created_at = stored_under_fresh_id(clock, store, "thing")

    assert len(set(tried)) == 3
    assert tick_of(stored_id) == newer + 1
    assert created_at == 1_700_000_003


def test_ids_keep_being_taken_is_a_conflict() -> None:
    def store(resource_id: str, created_at: int) -> None:
        raise IdTaken(resource_id)

    with pytest.raises(Conflict):
        stored_under_fresh_id(Clock(), store, "thing")


def test_id_format_rejects_separators_and_lengths() -> None:
    assert not is_valid_id("abc#OWNER#bob000")
    assert not is_valid_id("A" * 15)
    assert not is_valid_id("A" * 17)
    assert not is_valid_id("A" * 15 + "\n")


def test_owner_separators_are_escaped_in_keys() -> None:
    assert keys.owner_partition("a#b") == "OWNER#a%23b"
    assert keys.owner_partition("a%23b") == "OWNER#a%2523b"
    assert keys.owner_partition("a#CONV#x") != keys.children_partition("a", "x")


def test_index_keys_are_owner_prefixed_and_group_is_sparse() -> None:
    ungrouped = keys.index_keys("alice", None, pinned=True, muted=False, archived=False)
    grouped = keys.index_keys("alice", "G000000000000001", pinned=False, muted=True, archived=True)

    assert StatusIndex.GROUP.key_attribute not in ungrouped
    assert grouped[StatusIndex.GROUP.key_attribute] == "OWNER#alice#GROUP#G000000000000001"
    assert ungrouped[StatusIndex.PINNED.key_attribute] == "OWNER#alice#PINNED#1"
    assert all(value.startswith("OWNER#alice#") for value in {**ungrouped, **grouped}.values())


def test_plan_without_filters_reads_the_base_table() -> None:
    plan = _plan_query("alice", ListFilters())

    assert plan.index is None
    assert plan.filters == {}


def test_plan_uses_the_rarest_filter_as_key_and_filters_the_rest() -> None:
    plan = _plan_query("alice", ListFilters(muted=False, pinned=True, archived=False))

    assert plan.index is StatusIndex.PINNED
    assert plan.partition_value == "OWNER#alice#PINNED#1"
    assert plan.filters == {"GSI4PK": "OWNER#alice#ARCHIVED#0", "GSI3PK": "OWNER#alice#MUTED#0"}


def test_plan_prefers_the_group_index() -> None:
    plan = _plan_query("alice", ListFilters(group_id="G000000000000001", muted=True))

    assert plan.index is StatusIndex.GROUP
    assert plan.filters == {"GSI3PK": "OWNER#alice#MUTED#1"}

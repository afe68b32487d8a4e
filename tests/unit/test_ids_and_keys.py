from clarity.conversations.models import ListFilters
from clarity.conversations.repository import _plan_query
from clarity.core.ids import is_valid_id, new_id
from clarity.store import keys
from clarity.store.keys import StatusIndex


def test_ids_sort_by_creation_second() -> None:
    earlier, later = new_id(1_700_000_000), new_id(1_700_000_001)

    assert is_valid_id(earlier)
    assert is_valid_id(later)
    assert earlier < later


def test_ids_of_one_second_differ() -> None:
    assert len({new_id(1_700_000_000) for _ in range(1000)}) == 1000


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

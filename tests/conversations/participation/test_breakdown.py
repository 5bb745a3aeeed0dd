from conversations.participation.breakdown import NAME, breakdown_page
from conversations.participation.figures import MANAGER, Figures, Group


def group(name, active, on_cadence=0, held=0, median_days=None):
    return Group(kind=MANAGER, key=hash(name), name=name,
                 figures=Figures(active=active, on_cadence=on_cadence, held=held, median_days=median_days))


GROUPS = [  # in name order, as participation() gives them
    group("Ada", 10, on_cadence=5, median_days=80.0),
    group("Ben", 3),
    group("Cleo", 8, on_cadence=8),
    group("Dan", 20, on_cadence=5, median_days=120.0),
    group("Eve", 6, on_cadence=0),
]


def names(table):
    return [group.name for group in table.page.object_list]


def test_by_name_keeps_the_small_groups_last_either_way():
    assert names(breakdown_page(GROUPS, sort=NAME)) == ["Ada", "Cleo", "Dan", "Eve", "Ben"]
    assert names(breakdown_page(GROUPS, sort=NAME, descending=True)) == ["Eve", "Dan", "Cleo", "Ada", "Ben"]


def test_by_a_share_largest_first_ties_in_name_order():
    table = breakdown_page(GROUPS, sort="on_cadence", descending=True)

    # Cleo 100%, Ada 50%, Dan 25%, Eve 0%; Ben is too small to be ranked.
    assert names(table) == ["Cleo", "Ada", "Dan", "Eve", "Ben"]
    assert names(breakdown_page(GROUPS, sort="on_cadence")) == ["Eve", "Dan", "Ada", "Cleo", "Ben"]


def test_groups_without_a_value_come_after_those_with_one():
    assert names(breakdown_page(GROUPS, sort="median_days", descending=True)) == ["Dan", "Ada", "Cleo", "Eve", "Ben"]
    assert names(breakdown_page(GROUPS, sort="median_days")) == ["Ada", "Dan", "Cleo", "Eve", "Ben"]


def test_find_matches_part_of_a_name_whatever_the_case():
    table = breakdown_page(GROUPS, find="  E ")

    assert names(table) == ["Cleo", "Eve", "Ben"]
    assert table.matching == 3 and table.find == "E"


def test_pages_hold_per_page_groups_and_a_page_beyond_the_last_shows_the_last():
    first = breakdown_page(GROUPS, per_page=2)
    beyond = breakdown_page(GROUPS, per_page=2, page=99)

    assert names(first) == ["Ada", "Cleo"] and first.page.paginator.num_pages == 3
    assert names(beyond) == ["Ben"]
    assert first.matching == 5

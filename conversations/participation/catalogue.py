"""The participation figures, each named and defined once: the page's cards, the breakdown columns and the CSV all
read this list, so that a figure cannot be called one thing on the page and another in the spreadsheet."""

from dataclasses import dataclass

from conversations.participation.figures import FEEDBACK_BREADTH_PEOPLE, ONGOING_CONVERSATIONS, ONGOING_MONTHS

SHARE = "share"
COUNT = "count"
DAYS = "days"


@dataclass(frozen=True)
class Figure:
    key: str
    label: str  # the card's title, and the name in the CSV's definitions
    column: str  # the breakdown column's heading
    csv_column: str
    definition: str
    kind: str  # SHARE, COUNT or DAYS
    attribute: str  # where the value is on participation.figures.Figures
    of: str = ""  # what a share is a share of, or a count counts
    card: bool = True
    within: str = ""  # shown inside another figure's card rather than as a card of its own
    low: int | None = None  # a breakdown cell below this percentage is marked for attention
    note: str = ""
    empty: str = ""  # what a card says when the figure has no value

    def value(self, figures):
        return getattr(figures, self.attribute)

    def sort_value(self, figures):
        """A number to order groups by; None when the figure has no value for the group."""
        value = self.value(figures)
        return value.percent if self.kind == SHARE else value


FIGURES = (
    Figure("active", "Active employees", "Active employees", "Active employees",
           "Employees who had started and had not left at the end of the period.", COUNT, "active",
           of="employees", card=False),
    Figure("ongoing", "Ongoing conversations", "Ongoing", "Ongoing conversations %",
           f"Share of active employees with at least {ONGOING_CONVERSATIONS} held career conversations in the "
           f"{ONGOING_MONTHS} months up to the end of the period.", SHARE, "ongoing_share", of="active employees",
           note="For comparison: only 12% of employees say they have ongoing career conversations with their "
                "managers."),
    Figure("on_cadence", "On cadence", "On cadence", "On cadence %",
           "Share of active employees whose last held conversation is within their cadence at the end of the "
           "period.", SHARE, "on_cadence_share", of="active employees", low=50),
    Figure("overdue", "Overdue", "Overdue", "Overdue",
           "Active employees past their due date at the end of the period with nothing booked.", COUNT, "overdue",
           of="employees"),
    Figure("held", "Conversations held", "Held", "Conversations held",
           "Career conversations held in the period.", COUNT, "held", of="conversations", card=False),
    Figure("median_days", "Median days between conversations", "Median days", "Median days between conversations",
           "Median days from each held conversation in the period to the same employee's previous one.", DAYS,
           "median_days", empty="no conversations to compare yet"),
    Figure("outside_review", "Outside the review", "Outside review", "Outside the review %",
           "Share of conversations held in the period that were standalone, not attached to a performance review.",
           SHARE, "outside_review_share", of="conversations held"),
    Figure("breadth", "Breadth", "Breadth", "Breadth %",
           "Share of active employees who held a conversation in the period with someone other than their "
           "manager.", SHARE, "breadth_share", of="active employees"),
    Figure("prepared", "Prepared", "Prepared", "Prepared %",
           "Share of conversations held in the period for which the employee shared a preparation.", SHARE,
           "prepared_share", of="conversations held"),
    Figure("follow_through", "Follow-through", "Follow-through", "Follow-through %",
           "Share of actions owned by employees and partners, due in the period, that were done by their due date "
           "(open actions count once their due date has passed).", SHARE, "follow_through_share", of="actions due"),
    Figure("follow_through_organisation", "Organisation follow-through", "Organisation follow-through",
           "Organisation follow-through %", "The same for actions the organisation owns.", SHARE,
           "organisation_follow_through_share", of="actions due", within="follow_through"),
    Figure("feedback_breadth", "Feedback breadth", "Feedback breadth", "Feedback breadth %",
           f"Share of active employees who asked at least {FEEDBACK_BREADTH_PEOPLE} colleagues other than their "
           "manager for feedback in the period.", SHARE, "feedback_breadth_share", of="active employees"),
    Figure("feedback_asked", "Feedback requests sent", "Feedback asked", "Feedback requests sent",
           "Colleagues asked for feedback in the period: a request to three colleagues counts three.", COUNT,
           "feedback_asked", of="colleagues asked"),
    Figure("feedback_answered", "Feedback answer rate", "Answered", "Feedback answer rate %",
           "Share of the feedback requests sent in the period that the colleague answered (not declined, not "
           "waiting).", SHARE, "feedback_answer_share", of="requests sent"),
    Figure("feedback_median_days", "Median days to answer feedback", "Days to answer",
           "Median days to answer feedback",
           "Median days from a colleague being asked in the period to their answer, for the answered ones.", DAYS,
           "feedback_median_days", empty="no answers yet"),
)

BY_KEY = {figure.key: figure for figure in FIGURES}


@dataclass(frozen=True)
class Card:
    figure: Figure
    value: object
    inner: list


def headline_cards(figures):
    """The headline's cards in catalogue order, each with the figures shown inside it."""
    cards = {figure.key: Card(figure, figure.value(figures), []) for figure in FIGURES
             if figure.card and not figure.within}
    for figure in FIGURES:
        if figure.within:
            cards[figure.within].inner.append(Card(figure, figure.value(figures), []))
    return list(cards.values())

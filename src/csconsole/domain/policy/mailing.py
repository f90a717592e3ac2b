"""Mailing rules: the opt-out deadline, and per channel what may put a person back on a list
after an unsubscribe."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from csconsole.domain.policy.clause import Clause
from csconsole.domain.policy.reading import RULE_KEYS, ProfileTable, rule_table


class MailingChannel(enum.StrEnum):
    EMAIL = "email"
    CATALOG = "catalog"


class EnrolmentSource(enum.StrEnum):
    """Why a person is on a mailing list; also what may put them back after an unsubscribe."""

    CONTEST_ENTRY = "contest_entry"
    PROMO_REQUEST = "promo_request"
    CATALOG_REQUEST = "catalog_request"
    NEWSLETTER_SIGNUP = "newsletter_signup"


@dataclass(frozen=True, slots=True)
class ChannelRule:
    channel: MailingChannel
    reenrol_sources: frozenset[EnrolmentSource]
    clause: Clause


@dataclass(frozen=True, slots=True)
class MailingRules:
    opt_out_deadline_business_days: int
    suppression_survives_erasure: bool
    clause: Clause
    channels: Mapping[MailingChannel, ChannelRule]

    def may_reenrol(self, channel: MailingChannel, source: EnrolmentSource) -> bool:
        """Whether a new ``source`` event dated after an unsubscribe may re-enrol the person."""
        return source in self.channels[channel].reenrol_sources


def parse_mailing(root: ProfileTable, source: str) -> MailingRules:
    t = rule_table(
        root,
        "mailing",
        ("opt_out_deadline_business_days", "suppression_survives_erasure", "channels"),
    )
    channels: dict[MailingChannel, ChannelRule] = {}
    for channel, sub in t.keyed_tables("channels", MailingChannel, "mailing channel").items():
        ct = ProfileTable(
            t.source_name, t.key(f"channels.{channel.value}"), sub, ("reenrol_sources", *RULE_KEYS)
        )
        channels[channel] = ChannelRule(
            channel=channel,
            reenrol_sources=frozenset(
                ct.enum_list("reenrol_sources", EnrolmentSource, "enrolment source")
            ),
            clause=ct.clause(source),
        )
    return MailingRules(
        opt_out_deadline_business_days=t.integer("opt_out_deadline_business_days"),
        suppression_survives_erasure=t.boolean("suppression_survives_erasure"),
        clause=t.clause(source),
        channels=MappingProxyType(channels),
    )

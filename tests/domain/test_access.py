from __future__ import annotations

from typing import Any

from domain.access import (
    HomeScope,
    Principal,
    Role,
    can_act_on_alarm,
    can_see_home,
    can_see_model,
    home_scope,
    sees_personal_data,
)


def who(role: Role, **scope: Any) -> Principal:
    return Principal("u1", "u", "U", role, **scope)


def test_admin_sees_every_home() -> None:
    admin = who(Role.ADMIN)
    assert home_scope(admin) == HomeScope(all=True)
    assert can_see_home(admin, "h9", "c9") and can_see_home(admin, "h9", None)
    assert can_act_on_alarm(admin, "h9", "c9")


def test_operator_sees_only_their_communities() -> None:
    op = who(Role.OPERATOR, communities=frozenset({"c1"}))
    assert can_see_home(op, "h1", "c1")
    assert not can_see_home(op, "h2", "c2")
    assert not can_see_home(op, "h1", None)  # a home whose community is unknown: admin only
    assert can_act_on_alarm(op, "h1", "c1") and not can_act_on_alarm(op, "h2", "c2")


def test_family_sees_only_the_homes_of_their_relatives() -> None:
    fam = who(Role.FAMILY, residents=frozenset({"r1"}), homes=frozenset({"h1"}))
    assert home_scope(fam) == HomeScope(homes=frozenset({"h1"}))
    assert can_see_home(fam, "h1", "c1")
    assert not can_see_home(fam, "h2", "c1")  # same community, another family's home
    assert can_act_on_alarm(fam, "h1", "c1") and not can_act_on_alarm(fam, "h2", "c1")


def test_integrator_sees_no_home_and_no_personal_data() -> None:
    integ = who(Role.INTEGRATOR, models=frozenset({"acme-pir"}))
    scope = home_scope(integ)
    assert scope.empty and not scope.allows("h1", "c1")
    assert not can_act_on_alarm(integ, "h1", "c1")
    assert not sees_personal_data(integ) and sees_personal_data(who(Role.FAMILY))
    assert can_see_model(integ, "acme-pir") and not can_see_model(integ, "other")
    assert can_see_model(who(Role.ADMIN), "other")
    assert not can_see_model(who(Role.OPERATOR, communities=frozenset({"c1"})), "acme-pir")


def test_an_operator_without_communities_sees_nothing() -> None:
    assert home_scope(who(Role.OPERATOR)).empty
    assert who(Role.OPERATOR).actor == "user:u"

"""lists sync never leaves a list open: every field is checked before anything
is made, and a list is made and closed in one step, or not at all."""

from __future__ import annotations

import pytest

from binsite.errors import BinsiteError, InvalidSite
from binsite.mailman.sync import Change, apply_sync, sync
from tests.mailman_fixtures import RunningMailman, new_domain
from sitekit import area, write_site

pytestmark = pytest.mark.mailman


@pytest.mark.parametrize("bad", ["Noord\x1b[31m", "No\u202eord", "Noo\u200brd", "Noord\nBcc: x"])
def test_a_bad_area_name_changes_nothing_in_mailman(mailman: RunningMailman, tmp_path, bad: str) -> None:
    domain = new_domain()
    areas = {"noord": area("Noord", domain, "noord"), "zuid": area("Zuid", domain, "zuid")}
    areas["zuid"]["name"] = bad
    root = write_site(tmp_path / "site", domain, areas)
    with pytest.raises(InvalidSite) as info:
        sync(root, mailman.settings)
    assert any(p.path == "lists/zuid.yaml" and p.line == 1 for p in info.value.problems)
    client = mailman.client()
    assert domain not in client.domains() or not any(a.endswith("@" + domain) for a in client.lists())


def test_a_new_list_whose_settings_mailman_refuses_is_deleted_again(mailman: RunningMailman) -> None:
    domain = new_domain()
    client = mailman.client()
    address = f"open@{domain}"
    changes = [Change("create-domain", domain), Change("create-list", address),
               Change("set", address, "archive_policy", "private"),
               Change("set", address, "subscription_policy", "not-a-policy")]
    with pytest.raises(BinsiteError) as info:
        apply_sync(client, changes)
    assert "weer verwijderd" in info.value.message("nl")
    assert address not in client.lists()


def test_a_new_list_is_closed_from_the_start(mailman: RunningMailman, tmp_path) -> None:
    domain = new_domain()
    root = write_site(tmp_path / "site", domain, {"noord": area("Noord", domain, "noord")})
    sync(root, mailman.settings)
    settings = mailman.client().list_settings(f"noord@{domain}", ["advertised", "archive_policy",
                                                                  "subscription_policy", "default_member_action"])
    assert settings == {"advertised": False, "archive_policy": "private", "subscription_policy": "moderate",
                        "default_member_action": "hold"}

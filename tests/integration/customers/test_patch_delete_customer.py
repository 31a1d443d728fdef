"""PATCH and DELETE with optimistic locking (If-Match / ETag)."""

from __future__ import annotations

from .conftest import ALICE, BOB, CAROL, VIEWER


def path(customer):
    return f"/v1/customers/{customer['id']}"


def test_given_the_current_etag_when_patching_then_the_change_lands_and_version_moves(
    api, alices_customer
):
    response = api.patch(
        path(alices_customer),
        {"tier": "black", "consent": {"sms_marketing": True}},
        as_=ALICE,
        team="east",
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200
    assert response.json["tier"] == "black"
    assert response.json["consent"]["sms_marketing"] is True
    assert response.headers["ETag"] == '"2"'


def test_given_a_stale_etag_when_patching_then_412_names_if_match(api, alices_customer):
    api.patch(path(alices_customer), {"name": "张伟伟"}, as_=ALICE, team="east")
    response = api.patch(
        path(alices_customer), {"name": "Late"}, as_=ALICE, team="east", headers={"If-Match": '"1"'}
    )
    assert response.status_code == 412
    assert response.json["field"] == "If-Match"
    assert response.json["current_version"] == 2


def test_given_a_patched_stage_then_listing_by_the_new_stage_finds_it(api, alices_customer):
    api.patch(path(alices_customer), {"lifecycle_stage": "advocate"})
    ids = [c["id"] for c in api.get("/v1/customers?stage=advocate").json["items"]]
    assert ids == [alices_customer["id"]]
    assert api.get("/v1/customers?stage=customer").json["items"] == []


def test_given_another_rep_when_patching_then_404(api, alices_customer):
    assert api.patch(path(alices_customer), {"name": "X"}, as_=BOB, team="east").status_code == 404


def test_given_a_viewer_when_patching_then_403(api, alices_customer):
    assert api.patch(path(alices_customer), {"name": "X"}, as_=VIEWER).status_code == 403


def test_given_a_rep_when_reassigning_their_customer_then_403(api, alices_customer):
    response = api.patch(path(alices_customer), {"owner_id": "bob"}, as_=ALICE, team="east")
    assert response.status_code == 403


def test_given_the_manager_when_reassigning_within_team_then_the_new_owner_lists_it(
    api, alices_customer
):
    assert (
        api.patch(path(alices_customer), {"owner_id": "bob"}, as_=CAROL, team="east").status_code
        == 200
    )
    listed = api.get("/v1/customers", as_=BOB, team="east").json["items"]
    assert [c["id"] for c in listed] == [alices_customer["id"]]


def test_given_an_invalid_patch_then_422_names_the_field(api, alices_customer):
    response = api.patch(path(alices_customer), {"tier": "platinum"})
    assert response.status_code == 422
    assert response.json["field"] == "tier"


def test_given_a_malformed_if_match_then_400(api, alices_customer):
    response = api.patch(path(alices_customer), {"name": "X"}, headers={"If-Match": "yesterday"})
    assert response.status_code == 400


def test_given_another_tenant_when_patching_then_404(api, alices_customer):
    assert api.patch(path(alices_customer), {"name": "X"}, tenant="globex").status_code == 404


def test_given_a_deleted_customer_then_it_is_gone_and_its_phone_is_free_again(api, alices_customer):
    assert api.delete(path(alices_customer), headers={"If-Match": '"1"'}).status_code == 204
    assert api.get(path(alices_customer)).status_code == 404
    again = api.post(
        "/v1/customers",
        {"name": "新张伟", "identities": [{"kind": "phone", "value": "13800138000"}]},
    )
    assert again.status_code == 201


def test_given_a_stale_etag_when_deleting_then_412(api, alices_customer):
    api.patch(path(alices_customer), {"name": "changed"})
    assert api.delete(path(alices_customer), headers={"If-Match": '"1"'}).status_code == 412


def test_given_another_rep_when_deleting_then_404(api, alices_customer):
    assert api.delete(path(alices_customer), as_=BOB, team="east").status_code == 404


def test_given_every_patchable_field_when_patched_then_each_is_stored(api, alices_customer):
    # One declaration of profile fields decides what the store writes: a field the patch
    # accepts but the store forgot would come back unchanged here.
    from chalicelib.customers.models import CustomerPatch

    api.put("/v1/tenant-settings", {"custom_fields": [{"name": "industry", "type": "string"}]})
    patch = {
        "type": "company",
        "name": "张伟有限公司",
        "owner_id": "bob",
        "team_id": "west",
        "lifecycle_stage": "advocate",
        "tier": "black",
        "source": "referral",
        "consent": {"email_marketing": True},
        "custom_fields": {"industry": "saas"},
    }
    assert set(patch) == set(CustomerPatch.model_fields)

    assert api.patch(path(alices_customer), patch).status_code == 200

    stored = api.get(path(alices_customer)).json
    assert {k: stored[k] for k in patch if k != "consent"} == {
        k: v for k, v in patch.items() if k != "consent"
    }
    assert stored["consent"]["email_marketing"] is True


def test_given_no_if_match_when_another_writer_wins_the_race_then_the_patch_is_reapplied(
    api, alices_customer, monkeypatch
):
    from chalicelib.customers import store

    original, raced = store.save_profile, []

    def lose_once(item):
        if not raced:
            raced.append(item.version)
            api.patch(path(alices_customer), {"tier": "gold"})  # the other writer lands first
            return original(item)  # ... so this write's version condition fails
        return original(item)

    monkeypatch.setattr(store, "save_profile", lose_once)
    response = api.patch(path(alices_customer), {"name": "张伟 (re-read)"})

    assert response.status_code == 200
    assert (response.json["name"], response.json["tier"]) == ("张伟 (re-read)", "gold")
    assert raced


def test_given_if_match_when_another_writer_wins_the_race_then_412(
    api, alices_customer, monkeypatch
):
    from chalicelib.customers import store

    original = store.save_profile

    def lose(item):
        monkeypatch.setattr(store, "save_profile", original)
        api.patch(path(alices_customer), {"tier": "gold"})
        return original(item)

    monkeypatch.setattr(store, "save_profile", lose)
    response = api.patch(path(alices_customer), {"name": "X"}, headers={"If-Match": '"1"'})

    assert response.status_code == 412

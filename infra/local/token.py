"""Mint a local dev token: `python -m infra.local.token --tenant demo --user eve --role sales_rep`.

Prints only the token, so `TOKEN=$(make -s token TENANT=demo USER=eve ROLE=sales_rep TEAM=east)`
works. The token is signed with CRM_DEV_TOKEN_SECRET (the app's default when unset, as for
`make run`) and is accepted only by local stages.
"""

from __future__ import annotations

import argparse
import sys

from .config import ensure_functions_on_path

ensure_functions_on_path()

from chalicelib.core.auth import Role, mint_dev_token  # noqa: E402

ROLE_NAMES = [role.value for role in Role]


def _roles(values: list[str]) -> list[str]:
    roles: list[str] = []
    for value in values:
        for name in value.replace(",", " ").split():
            if name not in ROLE_NAMES:
                raise argparse.ArgumentTypeError(
                    f"unknown role {name!r}; choose from {', '.join(ROLE_NAMES)}"
                )
            if name not in roles:
                roles.append(name)
    return roles


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="make token",
        description="Mint a dev token for the local stack (make run).",
        epilog="Example: make -s token TENANT=demo USER=eve ROLE=sales_rep TEAM=east",
    )
    parser.add_argument("--tenant", default="demo", help="tenant id (default: demo)")
    parser.add_argument("--user", default="admin", help="user id, the token's subject")
    parser.add_argument(
        "--role",
        action="append",
        default=[],
        help=f"role (repeat or comma-separate for several): {', '.join(ROLE_NAMES)}",
    )
    parser.add_argument("--team", default=None, help="team id (sales reps and managers)")
    parser.add_argument(
        "--customer", default=None, help="customer id a customer_contact speaks for"
    )
    parser.add_argument(
        "--ttl-hours", type=float, default=24 * 30, help="lifetime in hours (default 720)"
    )
    args = parser.parse_args(argv)
    try:
        roles = _roles(args.role or ["admin"])
    except argparse.ArgumentTypeError as exc:
        parser.error(str(exc))
    if not args.tenant.strip() or not args.user.strip():
        parser.error("--tenant and --user must not be empty")
    token = mint_dev_token(
        args.tenant.strip(),
        args.user.strip(),
        roles,
        team_id=(args.team or "").strip() or None,
        ttl_seconds=int(args.ttl_hours * 3600),
        customer_id=(args.customer or "").strip() or None,
    )
    sys.stdout.write(token + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

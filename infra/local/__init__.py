"""The local stack behind `make run`: DynamoDB Local, moto, `chalice local`, workers, demo data.

- `services`: configuration from the environment, starting/stopping child processes, ports.
- `run`: `python -m infra.local.run`, the whole backend on 127.0.0.1 until Ctrl-C.
- `seed`: the demo tenant, created once through the HTTP API.
- `token`: `python -m infra.local.token`, a dev token for any tenant, user, role and team.
"""

"""The local stack behind `make run`: DynamoDB Local, moto, the Chalice API, workers, demo data.

- `config`: configuration from the environment, and the ports the stack listens on.
- `processes`: starting, watching and stopping child processes (DynamoDB Local, moto, the API,
  the workers).
- `resources`: the tables on DynamoDB Local; the bus, its tap and example rule on moto.
- `lock`: one stack per data dir.
- `run`: `python -m infra.local.run`, the whole backend on 127.0.0.1 until Ctrl-C.
- `seed`: the demo tenant (data in `demo_data.json`), created once through the HTTP API.
- `token`: `python -m infra.local.token`, a dev token for any tenant, user, role and team.
- `stream_poller`, `timer_runner`: the workers, feeding table changes and due timers to the app.
"""

"""The CDK app of the CRM backend: one stack per stage, one construct per concern.

`infra.stack.CrmStack` composes the constructs in `infra.constructs`; `app.py` at the repository
root instantiates it for the stage given as context (`-c stage=prod`, default `dev`).
"""

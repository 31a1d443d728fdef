"""The business areas, in order: the one list the app, the stream function, the timers function
and the local runners read (through `core.area_registry`). Adding an area is one line here.

Order matters where areas meet: an area may build on those above it and never on those below
(an import contract checks it): the directory answers who manages whom and who can take work for
everyone below; tagging reads customers, automation reads both, value reads customers and asks
automation for care tasks; approvals decide for sales (stage gates) and contracts; leads convert
into sales' opportunities; contracts follow won deals; the knowledge base answers what the
service desk is asked; the desk links tickets to customers (an unknown sender becomes a lead
customer) and hands a leaving agent's work back; surveys follow the desk's resolutions and feed
the customer's profile; reports, at the bottom, read every area above.
Followers of a notice run in this order; the 360 view shows sections in this order.
"""

from __future__ import annotations

from .approvals.area import AREA as APPROVALS
from .automation.area import AREA as AUTOMATION
from .contracts.area import AREA as CONTRACTS
from .customers.area import AREA as CUSTOMERS
from .desk.area import AREA as DESK
from .directory.area import AREA as DIRECTORY
from .knowledge.area import AREA as KNOWLEDGE
from .leads.area import AREA as LEADS
from .reports.area import AREA as REPORTS
from .sales.area import AREA as SALES
from .surveys.area import AREA as SURVEYS
from .tagging.area import AREA as TAGGING
from .value.area import AREA as VALUE

AREAS = (
    DIRECTORY,
    CUSTOMERS,
    TAGGING,
    AUTOMATION,
    VALUE,
    APPROVALS,
    SALES,
    LEADS,
    CONTRACTS,
    KNOWLEDGE,
    DESK,
    SURVEYS,
    REPORTS,
)

"""Search attributes that make cases findable in the Temporal UI.

They are stored unencrypted, so they carry only opaque ids and states: the YJS's own child id
(never a name), the order kind, the service and the case state.
"""

from temporalio.common import SearchAttributeKey

CHILD_ID = SearchAttributeKey.for_keyword("YjsChildId")
ORDER_KIND = SearchAttributeKey.for_keyword("YjsOrderKind")
SERVICE = SearchAttributeKey.for_keyword("YjsService")
CASE_STATE = SearchAttributeKey.for_keyword("YjsCaseState")

ALL = (CHILD_ID, ORDER_KIND, SERVICE, CASE_STATE)

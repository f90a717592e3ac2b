"""What waits on a supervisor: the work queue (``queue.py``)."""

from csconsole.services.supervision.queue import (
    QueueItem,
    QueueSource,
    SupervisionService,
    SupervisorQueue,
)

__all__ = ["QueueItem", "QueueSource", "SupervisionService", "SupervisorQueue"]

from hypothesis import settings

from tests.queue_machine import QueueMachine
from tests.serverkit import fake_context


class FakeStoreQueue(QueueMachine):
    make_context = staticmethod(fake_context)


TestQueueOnFakeStore = FakeStoreQueue.TestCase
TestQueueOnFakeStore.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)

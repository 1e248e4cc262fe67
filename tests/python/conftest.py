"""Pulumi mocks shared by the Python SDK tests: they record every registration."""
import pulumi
import pytest


class RecordingMocks(pulumi.runtime.Mocks):
    """Records registrations and invokes; `states` maps a type token to a function giving
    the state a fake provider would return for it, `calls_answer` a function token to one
    giving the function's result."""

    def __init__(self):
        self.registered = []
        self.states = {}
        self.calls = []
        self.calls_answer = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        self.registered.append(args)
        state = self.states.get(args.typ, lambda a: a.inputs)(args)
        return [args.resource_id or args.name + "-id", state]

    def call(self, args: pulumi.runtime.MockCallArgs):
        self.calls.append(args)
        if args.token not in self.calls_answer:
            raise Exception(f"unexpected invoke {args.token}")
        return self.calls_answer[args.token](args)

    def of_type(self, typ):
        return [r for r in self.registered if r.typ == typ]


@pytest.fixture
def mocks():
    m = RecordingMocks()
    pulumi.runtime.set_mocks(m, project="proj", stack="stack", preview=False)
    return m

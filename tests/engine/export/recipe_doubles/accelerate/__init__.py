"""Single-process stand-in for accelerate's Accelerator (see ../README.md): only what train.py calls."""
import contextlib
import types

import torch

from .utils import DistributedType


class Accelerator:
    def __init__(self, gradient_accumulation_steps=1):
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.num_processes = 1
        self.process_index = 0
        self.is_main_process = True
        self.distributed_type = DistributedType.NO
        self.device = torch.device("cpu")
        self.sync_gradients = True
        self.state = types.SimpleNamespace(deepspeed_plugin=None)
        self.backward_calls = 0

    def print(self, *args):
        print(*args, flush=True)

    def prepare(self, *objects):
        return objects if len(objects) > 1 else objects[0]

    def backward(self, loss):
        # accelerate's Accelerator.backward outside DeepSpeed: loss / gradient_accumulation_steps, then backward.
        (loss / self.gradient_accumulation_steps).backward()

    def no_sync(self, model):
        return contextlib.nullcontext()

    def reduce(self, tensor, reduction="sum"):
        return tensor

    def clip_grad_norm_(self, parameters, max_norm):
        return torch.nn.utils.clip_grad_norm_([p for p in parameters if p.grad is not None], max_norm)

    def unwrap_model(self, model):
        return model

    def get_state_dict(self, model):
        return model.state_dict()

    def wait_for_everyone(self):
        pass

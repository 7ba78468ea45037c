"""Stand-ins for accelerate.utils (see ../README.md)."""
import enum
import random

import torch


class DistributedType(str, enum.Enum):
    NO = "NO"
    MULTI_GPU = "MULTI_GPU"
    DEEPSPEED = "DEEPSPEED"
    FSDP = "FSDP"


def gather_object(objects):
    return list(objects)


def set_seed(seed):
    random.seed(seed)
    torch.manual_seed(seed)

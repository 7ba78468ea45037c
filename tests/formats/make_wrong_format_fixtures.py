# Real PyTorch checkpoints for RELIABILITY M18 (a .bin renamed to .safetensors): the zip format (torch >= 1.6
# default) and the legacy raw-pickle format. Run: /usr/bin/python3 tests/formats/make_wrong_format_fixtures.py
import os
import torch

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures')
state = {'classifier.weight': torch.zeros(2, 2)}
torch.save(state, os.path.join(here, 'torch-zip.bin'))
torch.save(state, os.path.join(here, 'torch-legacy.bin'), _use_new_zipfile_serialization=False)

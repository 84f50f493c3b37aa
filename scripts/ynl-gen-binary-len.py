#!/usr/bin/env python3
# Run the kernel's ynl-gen-c.py (its path is the first argument, the rest
# are its own) so that a binary attribute with both min-len and max-len
# checks gets NLA_POLICY_RANGE(NLA_BINARY, min, max): the length range is
# enforced by the policy, before any handler. Linux 6.12's generator
# knows only exact-len for binary attributes (its min-len alone makes an
# NLA_UNSPEC entry, which strict validation refuses); the range form
# builds and validates on 6.1 and 6.12 alike.
import importlib.util
import os
import sys

# The generator imports its lib/ package from its own directory.
sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[1])))
spec = importlib.util.spec_from_file_location("ynl_gen_c", sys.argv[1])
gen = importlib.util.module_from_spec(spec)
sys.argv = sys.argv[1:]
spec.loader.exec_module(gen)

original = gen.TypeBinary._attr_policy


def attr_policy(self, policy):
    if set(self.checks) == {'min-len', 'max-len'}:
        return ('NLA_POLICY_RANGE(NLA_BINARY, ' + self.get_limit_str('min-len') +
                ', ' + self.get_limit_str('max-len') + ')')
    return original(self, policy)


gen.TypeBinary._attr_policy = attr_policy
gen.main()

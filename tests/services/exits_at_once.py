"""A service that fails at start-up, as a misconfigured one would."""

import sys

for number in range(1, 31):
    print(f"startup line {number}")
print("fatal: no configuration found", flush=True)
sys.exit(3)

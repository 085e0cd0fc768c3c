#!/usr/bin/env sh
# Builds bench/loadgen/loadgen (git-ignored) from loadgen.c.
set -e
dir=$(dirname "$0")
gcc -O2 -Wall -Wextra -o "$dir/loadgen" "$dir/loadgen.c" -lpthread -lm

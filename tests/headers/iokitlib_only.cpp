// SPDX-License-Identifier: MIT
// iokitlib_only.cpp - the same program compiled as C++17 (see iokitlib_only.c).
#include "iokitlib_only.c" // NOLINT(bugprone-suspicious-include): the point of the test

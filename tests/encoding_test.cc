#include <gtest/gtest.h>
#include "tokwise/encoding.h"

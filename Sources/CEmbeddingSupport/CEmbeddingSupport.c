// Header-only module (see include/CEmbeddingSupport.h); SwiftPM needs one C source file per C target.
#include "CEmbeddingSupport.h"

#include "spendsim.h"
int main(void) { return 0; }

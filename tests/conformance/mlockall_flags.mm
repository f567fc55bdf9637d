# mlockall: 0, MCL_ONFAULT alone, and unknown bits are EINVAL
# follows: LTP mlockall02
# requires: root=y

mlockall(0)
mlockall(MCL_ONFAULT)
mlockall(8)
mlockall(MCL_CURRENT|16)

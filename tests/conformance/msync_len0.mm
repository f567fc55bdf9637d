# msync: len 0 returns 0; a length that wraps is ENOMEM
# follows: LTP msync03

msync(0x7f0000000000, 0, MS_SYNC)
msync(0x7f0000000000, -1, MS_SYNC)
msync(0x7f0000000001, 0, MS_SYNC)

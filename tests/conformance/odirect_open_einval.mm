# open with O_DIRECT: a file whose ->open does not set FMODE_CAN_ODIRECT (a directory, /dev/null, /dev/zero) is EINVAL; an ext4 file opens
# follows: fs/open.c do_dentry_open() (O_DIRECT without FMODE_CAN_ODIRECT: -EINVAL)

open("/tmp", O_RDONLY|O_DIRECT)
open("/dev/null", O_RDWR|O_DIRECT)
open("/dev/zero", O_RDONLY|O_DIRECT)
open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC|O_DIRECT, 0644)
open("/tmp", O_RDONLY)

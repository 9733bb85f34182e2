"""disk.device-write: raw writes to a block device."""

from __future__ import annotations

import pytest

from agentgov.evaluators.rules.disk.device_write import REMEDIATION, RULE
from agentgov.policy.model import ActionClass
from tests.rules.ruletest import context, hits

POSITIVE = [
    "dd if=/dev/zero of=/dev/sda",
    "dd if=disk.img of=/dev/sdb bs=4M status=progress",
    "dd of=/dev/nvme0n1 if=/dev/urandom",
    "dd if=img of=/dev/mmcblk0 conv=fsync",
    "dd if=/dev/zero of=/dev/disk2",
    "dd if=/dev/zero of=/dev/vda1",
    "dd if=/dev/zero of=/dev/xvda",
    "dd if=/dev/zero of=/dev/md0",
    "dd if=/dev/zero of=/dev/mapper/vg0-root",
    "dd if=/dev/zero of=/dev/disk/by-id/ata-SAMSUNG_123",
    "dd if=/dev/zero of=/dev/loop0",
    "cd /dev && dd if=/dev/zero of=sda",
    "cat disk.img > /dev/sdb",
    "cat /dev/zero >> /dev/hda",
    "pv image.iso > /dev/sdc",
    "sudo tee /dev/sda < image.iso",
    "cp image.iso /dev/sdb",
    "mkfs /dev/sdb1",
    "mkfs -t ext4 /dev/sdb1",
    "mkfs.ext4 /dev/nvme0n1p2",
    "mkfs.vfat -F 32 /dev/sdc1",
    "mke2fs -t ext4 /dev/sdb1",
    "mkswap /dev/sda2",
    "wipefs -a /dev/sda",
    "wipefs --all --force /dev/sdb",
    "shred -n 3 -z /dev/sda",
    "shred /dev/nvme0n1",
    "blkdiscard /dev/nvme0n1",
    "sgdisk --zap-all /dev/sda",
    "sgdisk -Z /dev/sda",
    "sgdisk -n 1:0:+512M /dev/sda",
    "sfdisk /dev/sda < layout.txt",
    "printf 'o\\nw\\n' | fdisk /dev/sda",
    "parted -s /dev/sda mklabel gpt",
    "parted /dev/sda rm 1",
    "cryptsetup luksFormat /dev/sdb1",
    "nvme format /dev/nvme0n1",
    "badblocks -w /dev/sdb",
    "sudo dd if=/dev/zero of=/dev/sda",
    "/bin/dd if=/dev/zero of=/dev/sda",
    "\\dd if=/dev/zero of=/dev/sda",
    "'d'd if=/dev/zero of=/dev/sda",
    "bash -c 'dd if=/dev/zero of=/dev/sda'",
    'sh -c "mkfs.ext4 /dev/sdb1"',
    'eval "wipefs -a /dev/sda"',
    "echo $(dd if=/dev/zero of=/dev/sda)",
    "(sudo mkfs.xfs -f /dev/sdb)",
    "sync && dd if=/dev/zero of=/dev/sda",
    "D=/dev/sda; dd if=/dev/zero of=$D",
    "timeout 600 dd if=/dev/zero of=/dev/sda",
]

NEGATIVE = [
    "dd if=/dev/sda of=backup.img",
    "dd if=/dev/zero of=./disk.img bs=1M count=100",
    "dd if=/dev/urandom of=/dev/null",
    "dd if=image.iso of=/dev/stdout",
    "echo hi > /dev/null",
    "echo hi > /dev/stderr",
    "echo hi > /dev/tty",
    "cat /dev/sda > /tmp/disk.img",
    "echo x > /dev/tcp/example.com/80",
    "echo x > /dev/shm/cache",
    "mkfs.ext4 ./rootfs.img",
    "wipefs /dev/sda",
    "wipefs -n -a /dev/sda",
    "shred secrets.txt",
    "fdisk -l /dev/sda",
    "sgdisk -p /dev/sda",
    "sgdisk -P --zap-all /dev/sda",
    "sfdisk -d /dev/sda",
    "parted /dev/sda print",
    "lsblk /dev/sda",
    "blkid /dev/sda1",
    'echo "dd if=/dev/zero of=/dev/sda"',
    "grep -n mkfs docs/setup.md",
    'git commit -m "mkfs.ext4 /dev/sdb1"',
    "rm -f /dev/shm/sem.x",
]


def test_tables_are_big_enough() -> None:
    assert len(POSITIVE) >= 20
    assert len(NEGATIVE) >= 10


@pytest.mark.parametrize("command", POSITIVE)
def test_flags_device_writes(command: str) -> None:
    found = hits(RULE, command, context())
    assert found
    assert {hit.rule for hit in found} == {"disk.device-write"}
    assert {hit.action_class for hit in found} == {ActionClass.FORBIDDEN}


@pytest.mark.parametrize("command", NEGATIVE)
def test_ignores_reads_images_and_look_alikes(command: str) -> None:
    assert hits(RULE, command, context()) == []


def test_dd_hit_names_the_device() -> None:
    [hit] = hits(RULE, "sudo dd if=/dev/zero of=/dev/sda bs=1M", context())
    assert hit.fragment == "sudo dd if=/dev/zero of=/dev/sda bs=1M"
    assert hit.message.startswith("dd of= writes to the block device /dev/sda:")
    assert hit.remediation == REMEDIATION
    assert hit.remediation.startswith("work on an image file instead")

#!/usr/bin/env python3
"""Regenerates the C-library reference vectors used by BrokerDataTextTests.

Broker prints reals with C's "%f" and addresses with inet_ntop; Python's "%f" and socket.inet_ntop call the
same C library (glibc), so they give the exact text a Broker node prints. Run: python3 make_vectors.py
"""
import random
import socket
import struct

random.seed(20261128)


def bits(x):
    return struct.unpack('>Q', struct.pack('>d', x))[0]


reals = []


def add_real(x):
    reals.append('%016x\t%s' % (bits(x), '%f' % x))


for _ in range(600):  # every magnitude from 1e-9 to 1e18
    add_real(random.random() * 2.0 ** random.randint(-30, 60) * random.choice([1, -1]))
for _ in range(300):  # raw bit patterns: huge values print every integer digit
    x = struct.unpack('>d', struct.pack('>Q', random.getrandbits(64)))[0]
    if x == x and x not in (float('inf'), float('-inf')):
        add_real(x)
for _ in range(300):  # exact ties at the 7th decimal (odd multiples of 2^-7): C rounds half to even
    add_real((random.randint(0, 2 ** 40) * 2 + 1) / 128.0 * random.choice([1, -1]))
for x in [0.0, -0.0, 1e100, 1.7976931348623157e308, -1.7976931348623157e308, 5e-324, 2.2250738585072014e-308,
          -1e-7, -4e-7, -5e-7, -6e-7, 5e-7, 2.5e-7, 0.0078125, 0.0234375, 0.5, 1.5, 2.5, 1e15 + 0.5, 1e22, 1e23,
          9007199254740993.0, 0.1, 0.2, 0.3, 1 / 3, 2 / 3, 123456789.125, 0.1234567891]:
    add_real(x)
open('format_real.tsv', 'w').write('\n'.join(reals) + '\n')

addresses = []


def add_v6(words):
    b = b''.join(w.to_bytes(2, 'big') for w in words)
    if b[:12] == bytes(10) + b'\xff\xff':
        return  # v4-mapped addresses print as IPv4 (tested separately)
    addresses.append(b.hex() + '\t' + socket.inet_ntop(socket.AF_INET6, b))


for _ in range(800):
    add_v6([random.choice([0, 0, 0, 1, 0xffff, random.getrandbits(16), 0x5efe]) for _ in range(8)])
for w4 in [0, 0xffff, 1]:
    for w5 in [0, 0xffff, 0x5efe, 1]:
        for w6 in [0, 1, 0x102, 0xffff]:
            for w7 in [0, 1, 0x304]:
                add_v6([0, 0, 0, 0, w4, w5, w6, w7])
                add_v6([0xfe80, 0, 0, 0, w4, w5, w6, w7])
for text in ['::', '::1', '2001:db8::ff00:42:8329', '2001:db8:0:0:1:0:0:1', '2001:0:0:1:0:0:0:1', '1:0:0:0:0:0:0:0',
             '0:0:0:0:0:0:0:2', '::ffff:0:102:304', 'fe80::5efe:102:304', '2001:db8::1:0:0:1']:
    add_v6(list(struct.unpack('>8H', socket.inet_pton(socket.AF_INET6, text))))
open('inet_ntop6.tsv', 'w').write('\n'.join(addresses) + '\n')

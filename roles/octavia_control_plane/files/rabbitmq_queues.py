# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Octavia's RabbitMQ queues and exchange against the kind octavia.conf asks for (role octavia_control_plane).

Run by the role with the Octavia venv's Python (kombu comes with oslo.messaging), on a controller, with the
service's own account read from octavia.conf: the password never passes through the command line.

  check   QUEUE...   a JSON report: for the exchange and each queue that exists, whether RabbitMQ accepts it
                     as the wanted kind; read-only (a passive declare first, so nothing is created)
  drain   QUEUE      wait until QUEUE holds no ready message (its consumers took everything), or time out
  reset   QUEUE...   delete the queues and the exchange, and declare and bind them again in the wanted kind

RabbitMQ refuses to redeclare a queue or an exchange with other properties (406 PRECONDITION_FAILED), and
oslo.messaging then quietly falls back to the old, non-durable kind: turning durable or quorum queues on for a
deployment that already has its queues changes nothing until they are removed once.
"""
import argparse
import configparser
import json
import sys
import time

import amqp.exceptions
import kombu


def transport_urls(conf_path):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(conf_path)
    # the role writes every value with '$' doubled (oslo.config's escape)
    url = parser.get('DEFAULT', 'transport_url').replace('$$', '$')
    rest = url.split('://', 1)[1]
    hosts, vhost = (rest.split('/', 1) + [''])[:2]
    # oslo.messaging lists brokers with ','; each carries its own user:password@
    return ['amqp://%s/%s' % (host, vhost) for host in hosts.split(',') if host]


def connect(conf_path):
    last = None
    for url in transport_urls(conf_path):
        conn = kombu.Connection(url, connect_timeout=10)
        try:
            conn.connect()
            return conn
        except Exception as exc:  # pylint: disable=broad-except
            last = exc
    raise SystemExit('no RabbitMQ broker of octavia.conf answered: %s' % (last,))


def wanted_queue(args):
    if args.quorum:
        return {'durable': True, 'arguments': {'x-queue-type': 'quorum'}}
    return {'durable': args.durable, 'arguments': None}


def exists(conn, declare):
    """Passive declare: True if it exists; RabbitMQ closes the channel on 404."""
    channel = conn.channel()
    try:
        declare(channel, True)
        return True
    except amqp.exceptions.NotFound:
        return False
    finally:
        _close(channel)


def accepted(conn, declare):
    """A declare with the wanted properties of something that exists: None, or RabbitMQ's refusal."""
    channel = conn.channel()
    try:
        declare(channel, False)
        return None
    except amqp.exceptions.PreconditionFailed as exc:
        return str(exc)
    finally:
        _close(channel)


def _close(channel):
    try:
        channel.close()
    except Exception:  # pylint: disable=broad-except
        pass  # already closed by the broker's refusal


def check(conn, args):
    wanted = wanted_queue(args)
    exchange_durable = args.quorum or args.durable
    report = {'wanted': 'quorum' if args.quorum else ('durable' if args.durable else 'transient'),
              'mismatch': [], 'absent': [], 'ok': []}

    def exchange(channel, passive):
        channel.exchange_declare(args.exchange, 'topic', passive=passive, durable=exchange_durable,
                                 auto_delete=False)

    objects = [('exchange ' + args.exchange, exchange)]
    for name in args.queues:
        def queue(channel, passive, name=name):
            channel.queue_declare(name, passive=passive, durable=wanted['durable'], auto_delete=False,
                                  arguments=wanted['arguments'])
        objects.append(('queue ' + name, queue))
    for label, declare in objects:
        if not exists(conn, declare):
            report['absent'].append(label)
            continue
        refusal = accepted(conn, declare)
        if refusal:
            report['mismatch'].append({'object': label, 'rabbitmq': refusal})
        else:
            report['ok'].append(label)
    return report


def drain(conn, args):
    deadline = time.monotonic() + args.timeout
    while True:
        channel = conn.channel()
        try:
            ready, consumers = channel.queue_declare(args.queues[0], passive=True)[1:]
        except amqp.exceptions.NotFound:
            return {'queue': args.queues[0], 'ready': 0, 'absent': True}
        finally:
            _close(channel)
        if ready == 0 or time.monotonic() >= deadline:
            return {'queue': args.queues[0], 'ready': ready, 'consumers': consumers, 'drained': ready == 0}
        time.sleep(1)


def reset(conn, args):
    deleted = []
    for name in args.queues:
        if exists(conn, lambda channel, passive, name=name: channel.queue_declare(name, passive=True)):
            channel = conn.channel()
            channel.queue_delete(name)
            _close(channel)
            deleted.append('queue ' + name)
    if exists(conn, lambda channel, passive: channel.exchange_declare(args.exchange, 'topic', passive=True)):
        channel = conn.channel()
        channel.exchange_delete(args.exchange)
        _close(channel)
        deleted.append('exchange ' + args.exchange)
    # Declared again at once in the new kind, bound as a worker binds them: the restart goes host by host, and an
    # API that is back before any worker would otherwise publish to an exchange with no queue bound (dropped).
    channel = conn.channel()
    wanted = wanted_queue(args)
    channel.exchange_declare(args.exchange, 'topic', durable=args.quorum or args.durable, auto_delete=False)
    for name in args.queues:
        channel.queue_declare(name, durable=wanted['durable'], auto_delete=False, arguments=wanted['arguments'])
        channel.queue_bind(name, args.exchange, routing_key=name)
    _close(channel)
    return {'deleted': deleted, 'declared': ['exchange ' + args.exchange] + ['queue ' + name for name in args.queues]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('action', choices=['check', 'drain', 'reset'])
    parser.add_argument('queues', nargs='+')
    parser.add_argument('--conf', default='/etc/octavia/octavia.conf')
    parser.add_argument('--exchange', default='octavia')
    parser.add_argument('--quorum', action='store_true')
    parser.add_argument('--durable', action='store_true')
    parser.add_argument('--timeout', type=int, default=120)
    args = parser.parse_args()
    conn = connect(args.conf)
    try:
        result = {'check': check, 'drain': drain, 'reset': reset}[args.action](conn, args)
    finally:
        conn.release()
    json.dump(result, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()

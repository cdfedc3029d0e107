/** Which daemon runs where, with which argv and config: the lab's process table. */
import path from 'node:path';
import { apacheConfig } from './configs/apache.js';
import { haproxyConfig } from './configs/haproxy.js';
import { keepalivedConfig } from './configs/keepalived.js';
import { nginxConfig } from './configs/nginx.js';
import { sshdConfig } from './configs/sshd.js';
import type { Component } from './processes.js';
import type { LabSettings } from './settings.js';
import { HOSTS, type LabHost, type LabPaths } from './topology.js';

const conf = (p: LabPaths, id: string, ext: string) => path.join(p.conf, `${id}.${ext}`);

function forHost(s: LabSettings, p: LabPaths, host: LabHost): Component[] {
  const h = host.name;
  const sshdFile = conf(p, `${h}-sshd`, 'conf');
  // sshd must be started by its absolute path: it re-executes itself for every connection
  const sshd: Component = {
    id: `${h}-sshd`,
    group: `${h}-sshd`,
    host: h,
    service: 'sshd',
    argv: ['/usr/sbin/sshd', '-D', '-e', '-f', sshdFile],
    config: { file: sshdFile, text: sshdConfig(host, p) },
  };
  if (host.role === 'client') return [sshd];
  if (host.role === 'web') {
    const file = conf(p, `${h}-apache`, 'conf');
    return [
      {
        id: `${h}-apache`,
        group: h,
        host: h,
        service: 'apache',
        argv: ['/usr/sbin/apache2', '-DFOREGROUND', '-f', file],
        config: { file, text: apacheConfig(s, host, p) },
      },
      sshd,
    ];
  }
  const hap = conf(p, `${h}-haproxy`, 'cfg');
  const ngx = conf(p, `${h}-nginx`, 'conf');
  const ka = conf(p, `${h}-keepalived`, 'conf');
  const run = (name: string) => path.join(p.run, `${h}-${name}.pid`);
  return [
    {
      id: `${h}-haproxy`,
      group: `${h}-haproxy`,
      host: h,
      service: 'haproxy',
      argv: ['/usr/sbin/haproxy', '-db', '-f', hap],
      config: { file: hap, text: haproxyConfig(s, host) },
    },
    {
      id: `${h}-nginx`,
      group: `${h}-nginx`,
      host: h,
      service: 'nginx',
      argv: ['/usr/sbin/nginx', '-c', ngx, '-e', path.join(p.logs, `${h}-nginx-error.log`), '-g', 'daemon off;'],
      config: { file: ngx, text: nginxConfig(s, host, p) },
    },
    {
      // -n stay in the foreground, -l -D log to the console (our log file) in detail, -G no syslog, -P VRRP only
      id: `${h}-keepalived`,
      group: `${h}-keepalived`,
      host: h,
      service: 'keepalived',
      argv: ['/usr/sbin/keepalived', '-n', '-l', '-D', '-G', '-P', '-f', ka, '-p', run('keepalived'), '-r', run('keepalived-vrrp')],
      config: { file: ka, text: keepalivedConfig(s, host, p) },
    },
    sshd,
  ];
}

export function labComponents(s: LabSettings, p: LabPaths): Component[] {
  return HOSTS.flatMap((h) => forHost(s, p, h));
}

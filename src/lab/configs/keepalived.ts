/**
 * keepalived on a balancer: one VRRP instance holding the VIP, lb1 MASTER and lb2 BACKUP.
 * Unicast adverts between the two addresses rather than multicast: the same protocol, and it
 * does not depend on the bridge's multicast handling.
 */
import { BALANCERS, NS_IFACE, PREFIX, VIP, type LabHost } from '../topology.js';
import type { LabSettings } from '../settings.js';

export function keepalivedConfig(s: LabSettings, host: LabHost): string {
  const k = s.keepalived;
  const master = host.name === BALANCERS[0]!.name;
  const peers = BALANCERS.filter((b) => b.name !== host.name).map((b) => `        ${b.address}`).join('\n');
  return `# keepalived on ${host.name}, written by \`lb-bench lab up\` from lab.yaml. Started as:
#   keepalived -n -l -D -G -P -f <this file> -p <pid> -r <vrrp pid>   (in namespace ${host.name})
global_defs {
    router_id ${host.name}
}

vrrp_instance lab {
    state ${master ? 'MASTER' : 'BACKUP'}
    interface ${NS_IFACE}
    virtual_router_id ${k.virtualRouterId}
    priority ${master ? k.priorityMaster : k.priorityBackup}
    advert_int ${k.advertInt}
    unicast_src_ip ${host.address}
    unicast_peer {
${peers}
    }
    virtual_ipaddress {
        ${VIP}/${PREFIX} dev ${NS_IFACE}
    }
}
`;
}

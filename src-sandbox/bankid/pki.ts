import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
// P-256 rather than RSA: key generation is ~10x faster and every test run makes five keys.
const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];

/**
 * A throwaway PKI for the BankID simulator, made with the `openssl` CLI: the real RP API is mutual
 * TLS, so the simulator needs a server certificate the client can pin and a relying-party client
 * certificate in the PKCS#12-with-passphrase form BankID hands out. Nothing here is a secret worth
 * keeping; it lives in a temp dir that `dispose()` deletes.
 */
export interface BankIdTestPki {
  dir: string;
  /** PEM of the CA that issued both the server and the client certificate. */
  ca: string;
  serverKey: string;
  serverCert: string;
  /** The relying party's certificate and key, PKCS#12, encrypted with `passphrase`. */
  clientPfx: Buffer;
  passphrase: string;
  /** A client certificate from an unrelated CA (same passphrase): must be refused. */
  foreignClientPfx: Buffer;
  dispose(): Promise<void>;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args[0]} failed: ${stderr.trim() || String(error)}`);
  }
}

/** A CA key and self-signed certificate named `<name>-ca.{key,pem}`. */
async function makeCa(dir: string, name: string): Promise<void> {
  await openssl(['req', '-x509', ...KEY, '-nodes', '-sha256', '-days', '2',
    '-subj', `/CN=${name} Test CA`, '-keyout', `${name}-ca.key`, '-out', `${name}-ca.pem`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
}

/** A leaf key + certificate `<leaf>.{key,pem}` signed by `<ca>-ca`, with the given extensions. */
async function makeLeaf(dir: string, ca: string, leaf: string, subject: string, extensions: string): Promise<void> {
  await openssl(['req', '-new', ...KEY, '-nodes', '-sha256', '-subj', subject, '-keyout', `${leaf}.key`, '-out', `${leaf}.csr`], dir);
  await writeFile(join(dir, `${leaf}.ext`), extensions);
  await openssl(['x509', '-req', '-in', `${leaf}.csr`, '-CA', `${ca}-ca.pem`, '-CAkey', `${ca}-ca.key`, '-CAcreateserial',
    '-days', '2', '-sha256', '-extfile', `${leaf}.ext`, '-out', `${leaf}.pem`], dir);
}

async function exportPfx(dir: string, leaf: string, ca: string, passphrase: string): Promise<void> {
  // The passphrase goes through a file, not argv, so it never shows in a process listing.
  await writeFile(join(dir, 'pfx.pass'), passphrase, { mode: 0o600 });
  await openssl(['pkcs12', '-export', '-inkey', `${leaf}.key`, '-in', `${leaf}.pem`, '-certfile', `${ca}-ca.pem`,
    '-name', 'Kassa test relying party', '-passout', 'file:pfx.pass', '-out', `${leaf}.p12`], dir);
}

export async function createBankIdTestPki(options: { dir?: string } = {}): Promise<BankIdTestPki> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'kassa-bankid-pki-')));
  const ownsDir = options.dir === undefined;
  try {
    const passphrase = randomBytes(12).toString('base64url');
    await makeCa(dir, 'bankid');
    await makeCa(dir, 'foreign');
    await makeLeaf(dir, 'bankid', 'server', '/CN=127.0.0.1',
      'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n');
    const clientExt = 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n';
    await makeLeaf(dir, 'bankid', 'client', '/O=Kassa test clinic/CN=FP Testcert Kassa', clientExt);
    await makeLeaf(dir, 'foreign', 'foreign-client', '/CN=Not a BankID relying party', clientExt);
    await exportPfx(dir, 'client', 'bankid', passphrase);
    await exportPfx(dir, 'foreign-client', 'foreign', passphrase);
    const read = (name: string) => readFile(join(dir, name), 'utf8');
    return {
      dir,
      ca: await read('bankid-ca.pem'),
      serverKey: await read('server.key'),
      serverCert: await read('server.pem'),
      clientPfx: await readFile(join(dir, 'client.p12')),
      passphrase,
      foreignClientPfx: await readFile(join(dir, 'foreign-client.p12')),
      dispose: async () => {
        if (ownsDir) await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    if (ownsDir) await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

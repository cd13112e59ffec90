import { GeoPluginControl, PaynovaControl, TwilioControl } from './control-client';
import { createGeoPluginSim, type GeoPluginSimOptions } from './geoplugin/server';
import { createPaynovaSim, type PaynovaSimOptions } from './paynova/server';
import { DEMO_MERCHANT } from './paynova/state';
import { createTwilioSim, DEMO_ACCOUNT, type TwilioSimOptions } from './twilio/server';

export { GeoPluginControl, PaynovaControl, SandboxControlError, SimControl, TwilioControl } from './control-client';
export { DEMO_MERCHANT } from './paynova/state';
export { DEMO_ACCOUNT } from './twilio/server';

export interface SandboxOptions {
  /** 0 (default) = an ephemeral port each. */
  ports?: { paynova?: number; twilio?: number; geoplugin?: number };
  paynova?: PaynovaSimOptions;
  twilio?: TwilioSimOptions;
  geoplugin?: GeoPluginSimOptions;
}

export interface Sandbox {
  paynova: { url: string; control: PaynovaControl; merchant: typeof DEMO_MERCHANT };
  twilio: { url: string; control: TwilioControl; account: typeof DEMO_ACCOUNT };
  geoplugin: { url: string; control: GeoPluginControl };
  close(): Promise<void>;
}

/**
 * Starts the Paynova, Twilio and geoPlugin simulators on 127.0.0.1. Point the production clients
 * at the returned URLs with the demo credentials; drive the outside world with `control`.
 */
export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const paynova = createPaynovaSim(opts.paynova);
  const twilio = createTwilioSim(opts.twilio);
  const geoplugin = createGeoPluginSim(opts.geoplugin);
  const started: { close(): Promise<void> }[] = [];
  try {
    const paynovaUrl = await paynova.listen(opts.ports?.paynova ?? 0);
    started.push(paynova);
    const twilioUrl = await twilio.listen(opts.ports?.twilio ?? 0);
    started.push(twilio);
    const geopluginUrl = await geoplugin.listen(opts.ports?.geoplugin ?? 0);
    started.push(geoplugin);
    return {
      paynova: { url: paynovaUrl, control: new PaynovaControl(paynovaUrl), merchant: { ...DEMO_MERCHANT } },
      twilio: { url: twilioUrl, control: new TwilioControl(twilioUrl), account: { ...DEMO_ACCOUNT } },
      geoplugin: { url: geopluginUrl, control: new GeoPluginControl(geopluginUrl) },
      async close() {
        await Promise.allSettled([paynova.close(), twilio.close(), geoplugin.close()]);
      },
    };
  } catch (e) {
    await Promise.allSettled(started.map((s) => s.close()));
    throw e;
  }
}

// Entry of hub-bridge.html (see ui/hub-bridge.ts).
import { startHubBridge } from './hub-bridge';

startHubBridge();

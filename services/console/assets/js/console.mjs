// The console's one script: GOV.UK Frontend and MoJ Frontend components, and live alerts.
// Every page works without it.
import { initAll as initGovuk } from 'govuk-frontend'
import { initAll as initMoj } from '@ministryofjustice/frontend'
import { followAlerts } from './live-alerts.mjs'

initGovuk()
initMoj()
followAlerts(document)

import { LightningElement, api } from 'lwc';
import { reduceErrors } from 'c/salescalingUtils';

export default class SalescalingErrorPanel extends LightningElement {
  /** One error or a list: GraphQL errors, LDS fetch errors or strings. */
  @api errors: unknown;
  /** The sentence a person reads first. */
  @api friendlyMessage = 'Something went wrong';

  showDetails = false;

  get messages(): string[] {
    return reduceErrors(this.errors);
  }

  get hasMessages(): boolean {
    return this.messages.length > 0;
  }

  get toggleLabel(): string {
    return this.showDetails ? 'Hide details' : 'Show details';
  }

  get expanded(): string {
    return String(this.showDetails);
  }

  handleToggle(): void {
    this.showDetails = !this.showDetails;
  }
}

// The preview page's script: mounts the component as a record page would, with the record and
// property values the page was given.
import '@lwc/synthetic-shadow';
import { createElement } from 'lwc';
import SalescalingRecordings from 'c/salescalingRecordings';

const preview = window.__SALESCALING_PREVIEW__;
const element = createElement('c-salescaling-recordings', { is: SalescalingRecordings });
element.recordId = preview.recordId;
element.objectApiName = preview.objectApiName;
element.maxMeetings = preview.maxMeetings;
document.getElementById('record-page-column').appendChild(element);
